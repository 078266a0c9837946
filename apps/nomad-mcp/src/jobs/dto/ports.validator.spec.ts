import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { CreateJobDto } from './create-job.dto';
import { portsConflict } from './ports.validator';

describe('portsConflict', () => {
  it('names the second port that reuses a label or a static host port; dynamic ports (0) may repeat', () => {
    expect(portsConflict([{ Label: 'http', Value: 80 }, { Label: 'http', Value: 0 }])).toBe("ports[1].Label 'http' is already the label of ports[0]; give each port its own label");
    expect(portsConflict([{ Label: 'a', Value: 8080 }, { Label: 'b', Value: 9090 }, { Label: 'c', Value: 8080 }])).toBe('ports[2].Value: static port 8080 is already reserved by ports[0]; use another port, or 0 for a dynamic one');
    expect(portsConflict([{ Label: 'a', Value: 0 }, { Label: 'b', Value: 0 }, { Label: 'c' }])).toBeUndefined();
    expect(portsConflict(undefined)).toBeUndefined();
  });

  it('is what create_job answers for such ports, on the ports field', async () => {
    const dto = plainToInstance(CreateJobDto, { job_id: 'web', docker_image: 'nginx:1.27', ports: [{ Label: 'http', Value: 80, To: 80 }, { Label: 'http', Value: 0, To: 81 }] });
    const errors = await validate(dto);
    expect(errors.map((e) => [e.property, Object.values(e.constraints ?? {})])).toEqual([['ports', ["ports[1].Label 'http' is already the label of ports[0]; give each port its own label"]]]);
  });
});
